# The install rules of the `falcon_xecutor` component: the binary, the systemd
# unit and the 0600 env file the Terraform slot module installs. `cpack -G DEB`
# turns it into falcon-xecutor_<version>_<arch>.deb (package fields: cpack.cmake
# next to this file, included from the top-level CMakeLists.txt).
set(XECUTOR_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})

install(TARGETS falcon_xecutor RUNTIME DESTINATION bin COMPONENT falcon_xecutor)
install(FILES ${XECUTOR_PACKAGING_DIR}/falcon-xecutor.service DESTINATION /lib/systemd/system
        COMPONENT falcon_xecutor)
install(FILES ${XECUTOR_PACKAGING_DIR}/env.example DESTINATION /etc/falcon-xecutor RENAME env
        PERMISSIONS OWNER_READ OWNER_WRITE COMPONENT falcon_xecutor)
install(FILES ${XECUTOR_PACKAGING_DIR}/../README.md DESTINATION share/doc/falcon-xecutor COMPONENT falcon_xecutor)
