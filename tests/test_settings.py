"""One settings object: defaults < file < environment, validated, documented, hashed."""

from __future__ import annotations

import json
import re
from dataclasses import fields, replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyfold.cli import app
from storyfold.errors import SettingsError, StoryfoldError
from storyfold.settings import (
    DEFAULTS,
    SECTIONS,
    PlaceSettings,
    Settings,
    candidate_probability,
    digest,
    load,
)
from storyfold.settings_load import documentation


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "storyfold.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ---- precedence -----------------------------------------------------------------------------
def test_without_file_or_variables_the_defaults_hold() -> None:
    got = load(env={})
    assert got == DEFAULTS
    assert got.sources == {}


def test_a_file_overrides_the_defaults_and_a_variable_overrides_the_file(tmp_path) -> None:
    path = _toml(tmp_path, "[place]\nthreshold = 0.33\nmax_gap_days = 7\n"
                           "[provenance]\nroot_margin = 0.1\n")
    from_file = load(path, env={})
    assert from_file.place.threshold == 0.33
    assert from_file.place.max_gap_days == 7.0 and isinstance(from_file.place.max_gap_days, float)
    assert from_file.provenance.root_margin == 0.1
    assert from_file.place.emb_weight == DEFAULTS.place.emb_weight  # untouched: the default

    both = load(path, env={"STORYFOLD_PLACE__THRESHOLD": "0.35", "STORYFOLD_LOG": "INFO"})
    assert both.place.threshold == 0.35  # the variable wins over the file
    assert both.place.max_gap_days == 7.0  # the file still sets what the variable does not
    assert both.sources["place.threshold"] == "$STORYFOLD_PLACE__THRESHOLD"
    assert both.sources["place.max_gap_days"] == str(path)
    assert "place.emb_weight" not in both.sources


def test_the_file_can_come_from_the_environment_and_an_explicit_path_wins(tmp_path) -> None:
    env_file = _toml(tmp_path, "[place]\nthreshold = 0.31\n")
    other = tmp_path / "other.toml"
    other.write_text("[place]\nthreshold = 0.32\n", encoding="utf-8")
    assert load(env={"STORYFOLD_SETTINGS": str(env_file)}).place.threshold == 0.31
    assert load(other, env={"STORYFOLD_SETTINGS": str(env_file)}).place.threshold == 0.32


def test_the_old_precision_variable_is_another_name_for_the_setting() -> None:
    assert load(env={"STORYFOLD_EMBED_PRECISION": "fp32"}).fingerprint.precision == "fp32"
    both = load(env={"STORYFOLD_EMBED_PRECISION": "fp32",
                     "STORYFOLD_FINGERPRINT__PRECISION": "bf16"})
    assert both.fingerprint.precision == "bf16"


# ---- validation ---------------------------------------------------------------------------
def test_an_out_of_range_value_is_refused_naming_where_it_was_set(tmp_path) -> None:
    path = _toml(tmp_path, "[place]\nthreshold = 1.5\n")
    with pytest.raises(SettingsError, match=re.escape(str(path))) as err:
        load(path, env={})
    assert "threshold" in str(err.value) and "between 0 and 1" in str(err.value)
    with pytest.raises(SettingsError, match="more than 0"):
        load(env={"STORYFOLD_PLACE__CHUNK": "0"})
    with pytest.raises(SettingsError):
        PlaceSettings(threshold=-0.1)
    with pytest.raises(SettingsError):
        PlaceSettings(max_gap_days=float("nan"))


def test_a_value_of_the_wrong_type_is_refused(tmp_path) -> None:
    with pytest.raises(SettingsError, match=r"\$STORYFOLD_PLACE__THRESHOLD.*a number"):
        load(env={"STORYFOLD_PLACE__THRESHOLD": "high"})
    with pytest.raises(SettingsError, match="whole number"):
        load(_toml(tmp_path, "[fingerprint]\nnum_perm = 128.5\n"), env={})
    with pytest.raises(SettingsError, match="number"):
        load(_toml(tmp_path, "[place]\nthreshold = true\n"), env={})
    with pytest.raises(SettingsError, match="one of auto, fp32, bf16"):
        load(env={"STORYFOLD_EMBED_PRECISION": "int8"})
    with pytest.raises(SettingsError):
        PlaceSettings(candidates="20")  # type: ignore[arg-type]


def test_unknown_sections_and_keys_are_refused(tmp_path) -> None:
    with pytest.raises(SettingsError, match=r"unknown setting place\.treshold"):
        load(_toml(tmp_path, "[place]\ntreshold = 0.3\n"), env={})
    with pytest.raises(SettingsError, match=r"unknown section \[cluster\]"):
        load(_toml(tmp_path, "[cluster]\nthreshold = 0.3\n"), env={})
    with pytest.raises(SettingsError, match=r"\$STORYFOLD_PLACE__TRESHOLD"):
        load(env={"STORYFOLD_PLACE__TRESHOLD": "0.3"})
    with pytest.raises(SettingsError, match="unknown section 'cluster'"):
        load(env={"STORYFOLD_CLUSTER__THRESHOLD": "0.3"})
    with pytest.raises(SettingsError, match="must be a table"):
        load(_toml(tmp_path, "place = 0.3\n"), env={})


def test_a_broken_or_missing_file_is_a_settings_error(tmp_path) -> None:
    with pytest.raises(SettingsError, match="not valid TOML"):
        load(_toml(tmp_path, "[place\nthreshold = 0.3\n"), env={})
    with pytest.raises(SettingsError, match="nowhere.toml"):
        load(tmp_path / "nowhere.toml", env={})
    assert issubclass(SettingsError, StoryfoldError)


def test_lsh_bands_must_find_near_copies_at_the_near_copy_threshold() -> None:
    fp = DEFAULTS.fingerprint
    assert candidate_probability(DEFAULTS.provenance.near_jaccard, fp.num_perm,
                                 fp.lsh_bands) == pytest.approx(0.738, abs=0.001)
    # 8 bands of 16 rows: a pair at Jaccard 0.45 is a candidate with probability ~0
    with pytest.raises(SettingsError, match="min_candidate_recall"):
        load(env={"STORYFOLD_FINGERPRINT__LSH_BANDS": "8"})
    # the same banding is fine once near copies are only those above 0.9
    ok = load(env={"STORYFOLD_FINGERPRINT__LSH_BANDS": "8",
                   "STORYFOLD_PROVENANCE__NEAR_JACCARD": "0.9"})
    assert ok.fingerprint.lsh_bands == 8
    with pytest.raises(SettingsError, match=r"multiple of fingerprint\.lsh_bands"):
        load(env={"STORYFOLD_FINGERPRINT__LSH_BANDS": "48"})


# ---- documentation ------------------------------------------------------------------------
def test_every_setting_is_documented() -> None:
    docs = documentation()
    expected = {f"{name}.{f.name}" for name, kind in SECTIONS.items() for f in fields(kind)}
    assert set(docs) == expected
    missing = sorted(name for name, doc in docs.items() if len(doc) < 10)
    assert not missing, f"settings without a `# comment` on their line: {missing}"


def test_a_field_without_its_comment_is_reported_undocumented() -> None:
    import storyfold.settings as mod

    source = Path(mod.__file__).read_text(encoding="utf-8")
    line = next(ln for ln in source.splitlines() if ln.strip().startswith("threshold: float"))
    stripped = source.replace(line, line.split("#")[0].rstrip())
    assert documentation()["place.threshold"] == "score at which an article joins a story"
    assert documentation(stripped)["place.threshold"] == ""


# ---- digest -------------------------------------------------------------------------------
def test_the_digest_is_stable_and_follows_the_values_that_change_results() -> None:
    base = digest(DEFAULTS)
    assert re.fullmatch(r"[0-9a-f]{64}", base)
    assert digest(Settings()) == base == digest(load(env={}))
    moved = replace(DEFAULTS, place=replace(DEFAULTS.place,
                                            threshold=DEFAULTS.place.threshold + 0.01))
    assert digest(moved) != base
    cast = replace(DEFAULTS, consolidate=replace(DEFAULTS.consolidate, split_same_cast=0.7))
    assert digest(cast) not in {base, digest(moved)}
    # what only changes how results are shown does not count
    shown = replace(DEFAULTS, output=replace(DEFAULTS.output, max_claims=3),
                    serve=replace(DEFAULTS.serve, max_body_bytes=1024))
    assert digest(shown) == base
    # 10 and 10.0 are one value
    assert digest(replace(DEFAULTS, place=replace(DEFAULTS.place, max_gap_days=10))) == base
    # how many threads encode changes speed, never what is stored
    assert digest(replace(DEFAULTS, fingerprint=replace(DEFAULTS.fingerprint, threads=1))) \
        == base
    # nor how Ray hands work out; but how languages are grouped into placers does
    assert digest(replace(DEFAULTS, scale=replace(DEFAULTS.scale, batch=8, inflight=4,
                                                  worker_cpus=2))) == base
    assert digest(replace(DEFAULTS, scale=replace(DEFAULTS.scale, shards="de fr"))) != base


# ---- the command --------------------------------------------------------------------------
def test_the_settings_command_prints_values_sources_and_documentation(tmp_path,
                                                                      monkeypatch) -> None:
    path = _toml(tmp_path, "[place]\nthreshold = 0.33\n")
    monkeypatch.setenv("STORYFOLD_PROVENANCE__NEAREST", "20")
    monkeypatch.delenv("STORYFOLD_SETTINGS", raising=False)
    result = CliRunner().invoke(app, ["settings", "--json", "--settings", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {r["name"]: r for r in data["settings"]}
    assert rows["place.threshold"] == {"name": "place.threshold", "value": 0.33,
                                       "source": str(path),
                                       "doc": "score at which an article joins a story"}
    assert rows["provenance.nearest"]["source"] == "$STORYFOLD_PROVENANCE__NEAREST"
    assert rows["provenance.nearest"]["value"] == 20
    assert rows["place.emb_weight"]["source"] == "default"
    assert len(rows) == sum(len(fields(kind)) for kind in SECTIONS.values())
    assert data["digest"] == digest(load(path))

    bad = CliRunner().invoke(app, ["settings", "--settings", str(tmp_path / "none.toml")])
    assert bad.exit_code == 2 and "none.toml" in bad.output
