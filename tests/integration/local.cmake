# End-to-end tests of `xdeploy --backend local`: the real xdeploy, the real
# xdeploy-router, real slot processes (falcon-xecutor, or the fake slot app for
# misbehaviour) on free ports of 127.0.0.1. Included from CMakeLists.txt.
if(TARGET xdeploy AND TARGET xdeploy_router AND TARGET falcon_xecutor AND TARGET xd_fake_slot)
  xd_test(local_backend_e2e_test SOURCES local_backend_e2e_test.cpp
    LIBS xd_test_support xd_local_backend LABELS integration)
  target_compile_definitions(local_backend_e2e_test PRIVATE
    XDEPLOY_BIN="$<TARGET_FILE:xdeploy>"
    XD_ROUTER_BIN="$<TARGET_FILE:xdeploy_router>"
    FALCON_XECUTOR_BIN="$<TARGET_FILE:falcon_xecutor>"
    XD_FAKE_SLOT_BIN="$<TARGET_FILE:xd_fake_slot>")
  add_dependencies(local_backend_e2e_test xdeploy xdeploy_router falcon_xecutor xd_fake_slot)
  # Several tests start servers and wait on real time: never in parallel with themselves.
  set_tests_properties(local_backend_e2e_test PROPERTIES TIMEOUT 600 RUN_SERIAL TRUE)
endif()

# `xdeploy --backend local --tls`: the slots' nginx front with a throwaway CA,
# 0 failed HTTPS requests across promotes (SKIP without nginx/openssl).
if(TARGET xdeploy AND TARGET xdeploy_router AND TARGET falcon_xecutor)
  add_test(NAME local_tls_e2e_test
           COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/local_tls_e2e_test.py $<TARGET_FILE:xdeploy>)
  set_tests_properties(local_tls_e2e_test PROPERTIES LABELS "integration" TIMEOUT 600 RUN_SERIAL TRUE
                       SKIP_RETURN_CODE 77)
endif()
