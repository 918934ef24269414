# The install rules of the `xdeploy` component: the CLI, its local-backend
# router, deploy.sh, the Terraform module, the man page and the shell
# completions. `cpack -G DEB` turns it into xdeploy_<version>_<arch>.deb
# (package fields: cpack.cmake here, included from the top-level CMakeLists.txt).
# The man page and the completions are generated from the built xdeploy, so
# they always describe the binary they ship with.
set(XDEPLOY_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})

# The local backend runs xdeploy-router: build it whenever xdeploy is built.
add_dependencies(xdeploy xdeploy_router)

set(_completions ${CMAKE_CURRENT_BINARY_DIR}/completions)
# Run from the build dir, where no xdeploy.toml can change what is printed.
add_custom_command(
  OUTPUT ${_completions}/xdeploy ${_completions}/_xdeploy ${_completions}/xdeploy.fish
  COMMAND ${CMAKE_COMMAND} -E make_directory ${_completions}
  COMMAND $<TARGET_FILE:xdeploy> completion bash > ${_completions}/xdeploy
  COMMAND $<TARGET_FILE:xdeploy> completion zsh > ${_completions}/_xdeploy
  COMMAND $<TARGET_FILE:xdeploy> completion fish > ${_completions}/xdeploy.fish
  DEPENDS xdeploy
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
  COMMENT "Generating xdeploy shell completions"
  VERBATIM)
set(_docs ${_completions}/xdeploy ${_completions}/_xdeploy ${_completions}/xdeploy.fish)

find_program(XD_HELP2MAN help2man)
find_program(XD_GZIP gzip)
if(XD_HELP2MAN AND XD_GZIP)
  set(XDEPLOY_MAN_PAGE ${CMAKE_CURRENT_BINARY_DIR}/xdeploy.1)
  # help2man reads `xdeploy --help` and `--version`; xdeploy.h2m adds the
  # hand-written sections (exit codes, hooks, files, environment, examples).
  add_custom_command(
    OUTPUT ${XDEPLOY_MAN_PAGE} ${XDEPLOY_MAN_PAGE}.gz
    COMMAND ${XD_HELP2MAN} --no-info --section=1 --source=xdeploy
            "--name=blue/green deploys of one web service on AWS Lightsail, over Terraform"
            --include=${XDEPLOY_PACKAGING_DIR}/xdeploy.h2m --output=${XDEPLOY_MAN_PAGE}
            $<TARGET_FILE:xdeploy>
    COMMAND ${XD_GZIP} -9nf --keep ${XDEPLOY_MAN_PAGE}
    DEPENDS xdeploy ${XDEPLOY_PACKAGING_DIR}/xdeploy.h2m
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
    COMMENT "Generating the xdeploy(1) man page"
    VERBATIM)
  list(APPEND _docs ${XDEPLOY_MAN_PAGE}.gz)
  install(FILES ${XDEPLOY_MAN_PAGE}.gz DESTINATION share/man/man1 COMPONENT xdeploy)
else()
  message(WARNING "help2man or gzip not found: no xdeploy(1) man page (scripts/install-deps.sh installs help2man)")
endif()
add_custom_target(xdeploy_docs ALL DEPENDS ${_docs})

install(TARGETS xdeploy xdeploy_router RUNTIME DESTINATION bin COMPONENT xdeploy)
install(FILES ${_completions}/xdeploy DESTINATION share/bash-completion/completions COMPONENT xdeploy)
install(FILES ${_completions}/_xdeploy DESTINATION share/zsh/vendor-completions COMPONENT xdeploy)
install(FILES ${_completions}/xdeploy.fish DESTINATION share/fish/vendor_completions.d COMPONENT xdeploy)
install(PROGRAMS ${CMAKE_SOURCE_DIR}/deploy.sh DESTINATION share/xdeploy COMPONENT xdeploy)
# The module, not this repository's CI around it (tests/, CMakeLists.txt) nor
# anything Terraform or xdeploy may have left in a developer's checkout.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/terraform/ DESTINATION share/xdeploy/terraform COMPONENT xdeploy
        PATTERN tests EXCLUDE
        PATTERN CMakeLists.txt EXCLUDE
        PATTERN ".*" EXCLUDE
        PATTERN "*.tfstate*" EXCLUDE
        PATTERN "*.tfvars" EXCLUDE)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION share/doc/xdeploy COMPONENT xdeploy)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ci/ DESTINATION share/doc/xdeploy/examples/ci
        COMPONENT xdeploy PATTERN examples_test.py EXCLUDE)
