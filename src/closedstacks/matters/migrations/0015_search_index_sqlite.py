"""The matters search index on SQLite: an FTS5 table with the trigram tokenizer, one row per matter (its rowid the
matter's id) holding the words a search looks in — the reference, the requester and agency, and every
instrument's case number and caption, never the users an instrument designates — kept by triggers on the two
tables, so that whatever writes them (the procedure, a bulk load, a repair) leaves the index true. PostgreSQL has
its trigram indexes (0011). Where SQLite was built without FTS5, nothing is made and the search reads the
matters themselves (matters/search_index.py)."""

from django.db import migrations

# The fields are joined with the unit separator (0x1f), which no search can contain (finding.NarrowingForm
# drops characters that are not printable): a match never runs from one field into the next.
WORDS = ("SELECT m.id, m.reference || char(31) || m.requester_name || char(31) || m.requester_agency || char(31) || "
         "coalesce((SELECT group_concat(i.case_number || char(31) || i.caption, char(31)) FROM matters_instrument i "
         "WHERE i.matter_id = m.id), '') FROM matters_matter m WHERE m.id = {matter}")


def _refresh(matter: str) -> str:
    return (f"DELETE FROM matters_search WHERE rowid = {matter}; "
            f"INSERT INTO matters_search (rowid, words) {WORDS.format(matter=matter)};")


STATEMENTS = [
    "CREATE VIRTUAL TABLE matters_search USING fts5(words, tokenize = 'trigram')",
    f"CREATE TRIGGER matters_search_matter_added AFTER INSERT ON matters_matter BEGIN {_refresh('NEW.id')} END",
    "CREATE TRIGGER matters_search_matter_changed AFTER UPDATE OF reference, requester_name, requester_agency "
    f"ON matters_matter BEGIN {_refresh('NEW.id')} END",
    "CREATE TRIGGER matters_search_matter_deleted AFTER DELETE ON matters_matter "
    "BEGIN DELETE FROM matters_search WHERE rowid = OLD.id; END",
    f"CREATE TRIGGER matters_search_instrument_added AFTER INSERT ON matters_instrument "
    f"BEGIN {_refresh('NEW.matter_id')} END",
    "CREATE TRIGGER matters_search_instrument_changed AFTER UPDATE OF case_number, caption, matter_id "
    f"ON matters_instrument BEGIN {_refresh('OLD.matter_id')} {_refresh('NEW.matter_id')} END",
    f"CREATE TRIGGER matters_search_instrument_deleted AFTER DELETE ON matters_instrument "
    f"BEGIN {_refresh('OLD.matter_id')} END",
    "INSERT INTO matters_search (rowid, words) " + WORDS.replace(" WHERE m.id = {matter}", ""),
]
DROP = ["DROP TRIGGER IF EXISTS matters_search_" + name for name in (
    "matter_added", "matter_changed", "matter_deleted", "instrument_added", "instrument_changed",
    "instrument_deleted")] + ["DROP TABLE IF EXISTS matters_search"]


def _fts5(connection) -> bool:
    with connection.cursor() as cursor:
        try:
            cursor.execute("CREATE VIRTUAL TABLE temp.closedstacks_fts5_probe USING fts5(x, tokenize = 'trigram')")
        except Exception:  # noqa: BLE001 (any refusal means: no FTS5 or no trigram tokenizer here)
            return False
        cursor.execute("DROP TABLE temp.closedstacks_fts5_probe")
    return True


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite" or not _fts5(schema_editor.connection):
        return
    for statement in STATEMENTS:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("matters", "0014_list_summary")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
