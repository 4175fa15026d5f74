"""``import wfm`` imports no stage; every flat name still resolves to its stage's object."""

import importlib
import subprocess
import sys

import wfm


def test_import_wfm_imports_no_stage_until_a_name_is_used() -> None:
    code = (
        "import sys, wfm\n"
        "stages = ['wfm.core', 'wfm.forecast', 'wfm.erlang', 'wfm.schedule', 'wfm.adherence',"
        " 'wfm.capacity', 'wfm.pipeline', 'pandas', 'scipy']\n"
        "assert not [m for m in stages if m in sys.modules], sorted(sys.modules)\n"
        "wfm.required_agents\n"
        "assert 'wfm.erlang' in sys.modules and 'wfm.schedule' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_flat_name_is_its_stage_object() -> None:
    exports = wfm._EXPORTS
    for name, module in exports.items():
        assert getattr(wfm, name) is getattr(importlib.import_module(module), name), name
    assert set(dir(wfm)) >= set(wfm.__all__)
