-- ember's engine as the Lua module `torch` for stock Lua 5.4 (require "torch").
-- From a checkout: luarocks make rockspecs/torch-scm-1.rockspec
-- (builds torch.so and ember/sys.so with CMake and installs them with the
-- lua/ tree; the ember program itself is not part of the rock).
rockspec_format = "3.0"
package = "torch"
version = "scm-1"
source = {
  -- no published repository: build from a checkout with `luarocks make`
  url = "file://.",
}
description = {
  summary = "ember: tensors and autograd with PyTorch's names, as a Lua 5.4 C module",
  detailed = [[
    The engine of ember (a C11 engine for tensors and autograd, built to teach
    how neural networks are trained, with PyTorch's names and numbers) as the
    Lua module `torch`: local torch = require "torch". The REPL, lessons,
    Ctrl-C handling and memory budget belong to the ember program, not to this
    module. Needs the Debian packages scripts/install-deps.sh lists
    (libopenblas-dev, libcjson-dev, libprotobuf-c-dev, libonnx-dev, ...).
  ]],
  -- the repository has no license file yet: to be filled in by its owner
  license = "unspecified",
}
dependencies = {
  "lua >= 5.4, < 5.5",
}
build = {
  type = "command",
  build_command = [[cmake -S . -B build-luarocks -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMBER_LUA_CMOD_DIR="$(LIBDIR)" -DEMBER_LUA_MOD_DIR="$(LUADIR)" && cmake --build build-luarocks --target torch_module ember_sys_module]],
  install_command = [[cmake --install build-luarocks --component lua]],
}
