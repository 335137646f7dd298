"""Reading the registry's PDFs as a person's tools do, with poppler (Debian's poppler-utils,
installed by scripts/setup-pdf-tools.sh, which ./scripts/test runs): the page as an image
(`pdftoppm`), the text a reader copies (`pdftotext`) and the fonts it carries (`pdffonts`)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

ARTIFACTS = Path(__file__).parents[1] / "test-artifacts" / "pdf"


def _run(tool: str, *args: str, data: bytes | None = None) -> bytes:
    path = shutil.which(tool)
    if path is None:
        raise RuntimeError(f"{tool} not found: install poppler-utils (scripts/setup-pdf-tools.sh)")
    return subprocess.run([path, *args], input=data, capture_output=True, check=True).stdout


def is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-")


def pdf_text(data: bytes) -> str:
    """The text of every page, as `pdftotext` extracts it (through the fonts' ToUnicode maps)."""
    return _run("pdftotext", "-enc", "UTF-8", "-", "-", data=data).decode("utf-8")


def pdf_fonts(data: bytes) -> list[dict[str, str]]:
    """`pdffonts`' table: name, type, embedded ("yes"/"no"), subset, unicode map."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.pdf"
        path.write_bytes(data)
        lines = _run("pdffonts", str(path)).decode("utf-8").splitlines()[2:]
    fonts = []
    for line in lines:
        # name, type (may hold spaces), encoding, then emb sub uni object-id generation
        head, emb, sub, uni, _, _ = line.rsplit(None, 5)
        fonts.append({"name": head.split()[0], "emb": emb, "sub": sub, "uni": uni})
    return fonts


def page_png(data: bytes, dpi: int, *, keep_as: str | None = None) -> bytes:
    """The first page rendered at `dpi` as PNG (anti-aliased, as a screen shows it); kept under
    test-artifacts/pdf/ as `keep_as`.png when named."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.pdf"
        path.write_bytes(data)
        _run("pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(path), str(Path(folder) / "p"))
        png = (Path(folder) / "p.png").read_bytes()
    if keep_as is not None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{keep_as}.png").write_bytes(png)
        (ARTIFACTS / f"{keep_as}.pdf").write_bytes(data)
    return png
