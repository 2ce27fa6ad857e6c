"""A produced file as an HTTP answer, for the API and the pages alike."""

from fastapi.responses import Response

from service.cases.files import File


def download(produced: File, *, tagged: bool = True) -> Response:
    """Its bytes, its file name and (if tagged) its SHA-256 as the ETag."""
    headers = {"Content-Disposition": produced.filename}
    if tagged:
        headers["ETag"] = f'"{produced.sha256}"'
    return Response(produced.content, media_type=produced.media_type, headers=headers)
