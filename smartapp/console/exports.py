"""The monthly report as files, always in Vietnamese (the steering committee's language): a CSV
Excel opens with its accents intact, and a PDF drawn with fpdf2.

The CSV is UTF-8 with a byte-order mark: without it, Excel reads a CSV in the PC's ANSI code
page and shows "PhÃ¡n Ã¡nh". The PDF embeds DejaVu Sans (shipped in ``console/fonts``, its
licence beside it): the PDF core fonts have no Vietnamese, and the office PC may have no font
at all that the wheel could count on.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace
from unidecode import unidecode

from smartapp.extensions import utcnow
from smartapp.i18n import localize
from smartapp.ioc.monthly import MonthlyReport, ReportLine
from smartapp.ioc.services import PROVINCE_TIME

FONTS = Path(__file__).resolve().parent / "fonts"
LANGUAGE = "vi"
PROVINCE_WIDE = "Toàn tỉnh"
#: what makes Excel or LibreOffice read a cell as a formula (OWASP's "CSV injection" list)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = (
    "Tháng",
    "Mã cơ quan",
    "Nguồn",
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Giá trị",
    "Đơn vị",
)


def agency_name(code: str | None) -> str:
    return code if code is not None else PROVINCE_WIDE


def formatted(value: float | None) -> str:
    """A value as Vietnamese write it: ``1.234`` thousands, ``4,25`` decimals, ``—`` none."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(value):,}".replace(",", ".")


def month_label(report: MonthlyReport) -> str:
    return f"{report.month.month:02d}/{report.month.year}"


def filename(report: MonthlyReport, agency: str | None, extension: str) -> str:
    """``bao-cao-thang-2026-11-SXD.pdf``: letters, digits and dashes only, so every browser
    keeps it as given and no agency code (which is any text) can break the header."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", unidecode(agency or "")).strip("-")
    suffix = f"-{slug}" if slug else ""
    return f"bao-cao-thang-{report.month:%Y-%m}{suffix}.{extension}"


def _text_cell(text: str) -> str:
    """A text as a spreadsheet shows it, never runs it: a leading ``'`` makes a would-be
    formula (an agency code or a label is any text) plain text. Hand-made rather than
    defusedcsv, which replaces the whole ``csv`` module for this one rule."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _row(report: MonthlyReport, line: ReportLine) -> list[str]:
    figure = line.figure
    value = "" if figure.value is None else str(figure.value)
    texts = [
        figure.agency_code or "",
        localize(line.source_title, LANGUAGE),
        f"{line.source}.{figure.key}",
        localize(figure.label, LANGUAGE),
    ]
    unit = localize(figure.unit, LANGUAGE) if figure.unit else ""
    return [f"{report.month:%Y-%m}", *map(_text_cell, texts), value, _text_cell(unit)]


def report_csv(report: MonthlyReport) -> bytes:
    """One row per figure; values as plain numbers (dot decimals), none as an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for lines in report.agencies.values():
        writer.writerows(_row(report, line) for line in lines)
    return buffer.getvalue().encode("utf-8-sig")


def _line(pdf: FPDF, height: float, text: str, align: str = "L") -> None:
    """A paragraph across the page; the next one starts below it, at the left margin."""
    pdf.multi_cell(0, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


class _ReportPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 8, f"Trang {self.page_no()}/{{nb}}", align="C")


def report_pdf(report: MonthlyReport) -> bytes:
    """An A4 page per few agencies: a heading and a table of figures for each."""
    pdf = _ReportPDF(format="A4")
    pdf.set_title(f"Báo cáo tháng {month_label(report)}")
    pdf.set_creator("Smartapp")
    pdf.add_font("DejaVu", "", FONTS / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    _line(pdf, 8, f"BÁO CÁO THÁNG {month_label(report)}", "C")
    pdf.set_font("DejaVu", size=10)
    _line(pdf, 6, "Gửi Ban Chỉ đạo chuyển đổi số tỉnh · Nền tảng ứng dụng công dân", "C")
    made = utcnow().astimezone(PROVINCE_TIME)
    _line(pdf, 6, f"Lập lúc {made:%H:%M ngày %d/%m/%Y}", "C")
    for agency, lines in report.agencies.items():
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 12)
        _line(pdf, 8, f"Cơ quan: {agency_name(agency)}")
        pdf.set_font("DejaVu", size=10)
        if not lines:
            _line(pdf, 6, "Không có số liệu trong tháng.")
            continue
        with pdf.table(
            col_widths=(40, 80, 30, 40),
            text_align=("LEFT", "LEFT", "RIGHT", "LEFT"),
            headings_style=FontFace(emphasis="BOLD"),
        ) as table:
            table.row(("Nguồn", "Chỉ tiêu", "Giá trị", "Đơn vị"))
            for line in lines:
                figure = line.figure
                table.row(
                    (
                        localize(line.source_title, LANGUAGE),
                        localize(figure.label, LANGUAGE),
                        formatted(figure.value),
                        localize(figure.unit, LANGUAGE) if figure.unit else "",
                    )
                )
    if report.failures:
        pdf.ln(4)
        _line(pdf, 6, "Thiếu số liệu của: " + ", ".join(sorted(report.failures)))
    return bytes(pdf.output())
