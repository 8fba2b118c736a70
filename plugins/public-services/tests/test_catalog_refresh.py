"""Refreshing the catalog from a published file: what changes is told before it is written,
and a full catalog retires (never deletes) what it leaves out."""

import json

import pytest
from smartapp_public_services.importer import KINDS, NotRetirable, plan_import, preview
from smartapp_public_services.models import Procedure
from smartapp_public_services.search import search_revision
from sqlalchemy import func, select

from smartapp.identity.models import AuditEntry
from smartapp.plugin import db


def stored(code):
    return db.session.scalar(select(Procedure).where(Procedure.code == code))


def count():
    return db.session.scalar(select(func.count()).select_from(Procedure))


@pytest.fixture
def catalog_file(tmp_path, fixtures):
    """Write a changed copy of the fixture catalog: ``catalog_file(edit)``."""

    def write(edit):
        records = json.loads((fixtures / "procedures.json").read_text())
        records = edit(records) or records
        path = tmp_path / "catalog.json"
        path.write_text(json.dumps(records, ensure_ascii=False))
        return path

    return write


def _refresh(records):
    records[0]["name"] = "Đăng ký khai sinh (sửa)"
    records[0]["channels"][0]["fee_vnd"] = 5000
    records[1]["source"] = "1234/QĐ-UBND"
    del records[3]  # 2.000908: repealed when the file is the whole catalog
    records.append({**records[2], "code": "3.000722", "name": "Liên thông khai sinh mới"})


def test_preview_names_new_changed_fields_and_repealed_and_writes_nothing(load, catalog_file):
    load("procedures.json")
    path = catalog_file(_refresh)
    changes = preview(plan_import(path, KINDS["procedures"], full=True))
    assert changes.new == ["3.000722"]
    assert changes.changed == {"1.001193": ["channels", "name"], "1.004222": ["source"]}
    assert changes.unchanged == 1
    assert changes.repealed == ["2.000908"]
    assert stored("1.001193").name == "Thủ tục đăng ký khai sinh"
    assert stored("3.000722") is None
    # not a full catalog: nothing is repealed
    assert preview(plan_import(path, KINDS["procedures"])).repealed == []


def test_a_full_catalog_retires_what_it_leaves_out(load, catalog_file):
    load("procedures.json")
    before = search_revision()
    report = load(catalog_file(_refresh), full=True)
    assert (report.created, report.updated, report.unchanged) == (1, 2, 1)
    assert report.retired == ["2.000908"]
    assert stored("2.000908").retired_at is not None  # kept, not deleted
    assert count() == 5
    assert search_revision() == before + 1
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.actor) == ("public-services.procedures.import", "system")
    assert entry.details == {
        "rows": 4,
        "created": 1,
        "updated": 2,
        "retired": ["2.000908"],
        "full": True,
    }
    # present again in a later file: back in service, and reported as such
    changes = preview(plan_import(catalog_file(lambda r: None), KINDS["procedures"]))
    assert changes.changed["2.000908"] == ["retired_at"]


def test_a_bad_row_does_not_repeal_its_record(load, catalog_file):
    load("procedures.json")

    def break_one(records):
        records[3]["level"] = "district"

    report = load(catalog_file(break_one), skip_invalid=True, full=True)
    assert report.written and report.retired == []
    assert stored("2.000908").retired_at is None


def test_bundles_cannot_be_imported_as_a_full_catalog(fixtures):
    with pytest.raises(NotRetirable):
        plan_import(fixtures / "bundles.json", KINDS["bundles"], full=True)


def test_cli_reports_before_writing_and_asks(app, load, catalog_file):
    load("procedures.json")
    path = str(catalog_file(_refresh))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["public-services", "import", "--full", "--dry-run", path])
    assert dry.exit_code == 0, dry.output
    assert "1 new, 2 changed, 1 unchanged, 1 repealed" in dry.output
    assert "changed   1.001193: channels, name" in dry.output
    assert "repealed  2.000908 (will be retired)" in dry.output
    assert "dry run: nothing written" in dry.output
    declined = runner.invoke(args=["public-services", "import", "--full", path], input="n\n")
    assert declined.exit_code == 1 and "nothing written" in declined.output
    assert stored("3.000722") is None and stored("2.000908").retired_at is None
    accepted = runner.invoke(args=["public-services", "import", "--full", path], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "1 created, 2 updated, 1 unchanged, 1 retired" in accepted.output
    again = runner.invoke(args=["public-services", "import", "--full", path])
    assert again.exit_code == 0 and "nothing to change" in again.output


def test_cli_refuses_full_bundles(app, fixtures):
    result = app.test_cli_runner().invoke(
        args=[
            "public-services",
            "import",
            "--kind",
            "bundles",
            "--full",
            str(fixtures / "bundles.json"),
        ]
    )
    assert result.exit_code == 1 and "cannot be retired" in result.output
