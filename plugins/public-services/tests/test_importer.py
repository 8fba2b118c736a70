import json

import pytest
from smartapp_public_services.importer import ImportFileError
from smartapp_public_services.models import Bundle, Office, Procedure
from smartapp_public_services.search import search_revision
from sqlalchemy import func, select

from smartapp.plugin import db


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_json_import_is_an_idempotent_upsert(load):
    first = load("procedures.json")
    assert (first.created, first.updated, first.unchanged) == (4, 0, 0)
    again = load("procedures.json")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert count(Procedure) == 4
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.001193"))
    assert procedure.documents[0]["items"][0]["template"] == "Mẫu TT-BTP"
    assert procedure.search_name == "thu tuc dang ky khai sinh"


def test_only_an_import_that_changes_procedures_retires_cached_searches(load):
    assert search_revision() == 0
    load("procedures.json")
    assert search_revision() == 1
    load("procedures.json")  # unchanged
    load("offices.json", "offices")  # offices are not searched
    assert search_revision() == 1
    assert not load("bad.csv").written
    assert search_revision() == 1


def test_csv_import_reads_json_cells_and_semicolon_lists(load):
    report = load("procedures.csv")
    assert report.written and report.created == 2
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.004222"))
    assert procedure.channels[1]["fee_vnd"] == 10000
    assert procedure.keywords == ["nhập hộ khẩu"]
    assert procedure.online_url is None  # empty cell: the default


def test_changed_rows_are_updated(load, tmp_path, fixtures):
    load("procedures.json")
    records = json.loads((fixtures / "procedures.json").read_text())
    records[0]["name"] = "Đăng ký khai sinh (sửa)"
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(records, ensure_ascii=False))
    report = load(path)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert (
        db.session.scalar(select(Procedure.search_name).where(Procedure.code == "1.001193"))
        == "dang ky khai sinh sua"
    )


def test_a_file_with_bad_rows_imports_nothing(load):
    report = load("bad.csv")
    assert not report.written and count(Procedure) == 0
    assert [(e.record.line, e.code, sorted(e.messages)) for e in report.errors] == [
        (2, "1.001766", ["level"]),
        (4, "2.000908", ["channels"]),
    ]


def test_a_csv_row_with_more_cells_than_columns_is_bad(load, tmp_path, fixtures):
    header, first, *rest = (fixtures / "procedures.csv").read_text().splitlines(keepends=True)
    path = tmp_path / "shifted.csv"
    path.write_text(header + first.rstrip("\n") + ",nhập hộ khẩu\n" + "".join(rest))
    report = load(path)
    assert not report.written and count(Procedure) == 0
    assert [(e.record.line, e.messages) for e in report.errors] == [
        (2, {"_schema": ["1 more cells than the header names."]})
    ]


def test_skip_invalid_imports_the_good_rows(load):
    report = load("bad.csv", skip_invalid=True)
    assert report.written and report.created == 1 and len(report.errors) == 2
    assert db.session.scalars(select(Procedure.code)).all() == ["1.004222"]


def test_json_errors_name_the_item_and_its_line(load, tmp_path, fixtures):
    records = json.loads((fixtures / "procedures.json").read_text())
    del records[1]["agency"]
    records[2]["code"] = records[0]["code"]
    records.append("not an object")
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2))
    lines = path.read_text().splitlines()
    report = load(path)
    assert not report.written
    found = [(e.record.location, list(e.messages)) for e in report.errors]
    assert [f[1] for f in found] == [["agency"], ["code"], ["_schema"]]
    for error in report.errors:  # each reported line is where the item starts
        assert lines[error.record.line - 1].strip() in ("{", '"not an object"')


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.json", '[{"code": ', "line 1: not valid JSON"),
        ("object.json", '{"code": "1.001193"}', "expected a JSON array"),
        ("latin1.csv", "code\n\xe9", "not UTF-8"),
        ("columns.csv", "code,colour\n1.001193,red\n", "unknown columns colour"),
        ("notes.txt", "hello", "expected a .csv or .json file"),
    ],
)
def test_unreadable_files_are_refused(load, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(ImportFileError, match=message):
        load(path)


def test_bundles_need_known_procedures(load):
    report = load("bundles.json", "bundles")
    assert not report.written
    assert report.errors[0].messages == {
        "procedures": ["Unknown procedure codes: 1.001193, 1.004222."]
    }
    load("procedures.json")
    assert load("bundles.json", "bundles").created == 1
    bundle = db.session.scalar(select(Bundle))
    assert [s.procedure.code for s in bundle.steps] == ["1.001193", "1.004222"]
    assert load("bundles.json", "bundles").unchanged == 1


def test_cli_import_reports_lines_and_exit_code(app, fixtures):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["public-services", "import", str(fixtures / "bad.csv")])
    assert bad.exit_code == 1
    assert "line 2 (1.001766)" in bad.output and "nothing imported" in bad.output
    assert count(Procedure) == 0
    good = runner.invoke(
        args=["public-services", "import", "--yes", str(fixtures / "procedures.json")]
    )
    assert good.exit_code == 0, good.output
    assert "4 rows: 4 created" in good.output
    offices = runner.invoke(
        args=[
            "public-services",
            "import",
            "--kind",
            "offices",
            "--yes",
            str(fixtures / "offices.json"),
        ]
    )
    assert offices.exit_code == 0 and count(Office) == 3
    missing = runner.invoke(args=["public-services", "import", "/nonexistent.json"])
    assert missing.exit_code == 1 and "cannot read" in missing.output


def test_real_data_files_are_valid_and_complete(real_catalog):
    assert count(Procedure) >= 150
    assert count(Office) >= 97
    assert count(Bundle) >= 2
