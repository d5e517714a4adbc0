# lit configuration for Tempo's IR, importer, emitter and driver tests.
import os
import lit.formats

config.name = "Tempo"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tempo_obj_root, "test")
config.excludes = ["unit", "e2e", "fixtures", "golden", "qemu", "CMakeLists.txt",
                   "lit.cfg.py", "lit.site.cfg.py.in"]

config.environment["PATH"] = os.pathsep.join(
    [config.tempo_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%src", config.tempo_src_root))
config.substitutions.append(("%runtime", os.path.join(config.tempo_src_root, "runtime", "include")))
# Tiny ONNX models made by test/fixtures/make_fixtures.py, once per lit run.
fixtures = os.path.join(config.tempo_obj_root, "test", "fixtures")
config.substitutions.append(("%fixtures", fixtures))
if not getattr(lit_config, "_tempo_fixtures_made", False):
    import subprocess
    os.makedirs(fixtures, exist_ok=True)
    subprocess.check_call([config.python,
                           os.path.join(config.tempo_src_root, "test", "fixtures", "make_fixtures.py"),
                           fixtures])
    lit_config._tempo_fixtures_made = True
