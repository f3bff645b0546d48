# lit configuration for dgc. Substitutions:
#   %dgc        the dgc driver
#   %FileCheck  FileCheck that also fails on any unexpected `error:`/`warning:`
#               (use plain FileCheck when a test checks diagnostics)
#   %cxx        the C++ compiler with the flags to compile a generated header
#   %examples   the project's examples/ folder
import os
import lit.formats

config.name = "dgc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".dg", ".test", ".cpp"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)

site = lit_config.params.get("dgc_site_config") or os.environ.get("DGC_LIT_SITE")
if not hasattr(config, "dgc_exe"):
    if site is None:
        lit_config.fatal("run lit through ctest, or pass --param dgc_site_config=BUILD/test/lit/lit.site.cfg.py")
    lit_config.load_config(config, site)
else:
    config.test_exec_root = os.path.join(config.dgc_obj_root, "test", "lit")
    tools = config.llvm_tools_dir
    config.environment["PATH"] = os.pathsep.join([tools, config.environment.get("PATH", "")])
    config.substitutions.append(("%dgc", config.dgc_exe))
    # `dgc simulate` caches compiled programs; keep the tests' cache in the
    # build folder, not in the user's home.
    config.environment["DGC_CACHE_DIR"] = os.path.join(config.dgc_obj_root, "test", "dgc-cache")
    config.substitutions.append(
        ("%FileCheck", os.path.join(tools, "FileCheck")
         + " --implicit-check-not=error: --implicit-check-not=warning:"))
    config.substitutions.append(
        ("%cxx", "%s -std=c++20 -I%s" % (config.cxx, config.eigen_include)))
    config.substitutions.append(("%examples", os.path.join(config.dgc_src_root, "examples")))
    # --backend petsc tests: dgc was built with PETSc and MPI.
    if getattr(config, "dgc_have_petsc", "") in ("ON", "1", "TRUE"):
        config.available_features.add("petsc")
    config.substitutions.append(("%npy_diff", os.path.join(config.dgc_obj_root, "test", "tools", "npy_diff")))
