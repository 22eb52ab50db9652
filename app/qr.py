"""QR codes as data: URIs (the CSP allows data: images; WeasyPrint reads them too)."""
import base64
from io import BytesIO

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_data_uri(text, box_size=4):
    image = qrcode.make(text, error_correction=ERROR_CORRECT_M, box_size=box_size, border=2)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
