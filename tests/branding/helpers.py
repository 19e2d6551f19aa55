"""Real images made with Pillow, for the logo tests."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.PngImagePlugin import PngInfo


def image_bytes(
    fmt: str, size=(300, 120), colour=(31, 58, 95), mode="RGB", **save
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def upload(data: bytes, name: str = "logo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera Inc."  # Make
    exif[0x0131] = "Leaky Editor 1.0"  # Software
    exif[0x8298] = "Owner's home address"  # Copyright
    return image_bytes("JPEG", exif=exif.tobytes())


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Comment", "internal: do not publish")
    return image_bytes("PNG", pnginfo=info)


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image: a decompression bomb's shape."""
    data = bytearray(image_bytes("PNG", size=(1, 1)))
    ihdr = bytearray(data[12:29])  # chunk type + 13 data bytes
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)) & 0xFFFFFFFF)
    return bytes(data)
