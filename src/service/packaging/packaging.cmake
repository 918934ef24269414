# The install rules of the `falcon_xecutor` component: the binary, the systemd
# unit, an example env file and the nginx front config the Terraform slot module
# installs. `cpack -G DEB` turns it into falcon-xecutor_<version>_<arch>.deb
# (package fields: cpack.cmake next to this file, included from the top-level
# CMakeLists.txt).
set(XECUTOR_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})

install(TARGETS falcon_xecutor RUNTIME DESTINATION bin COMPONENT falcon_xecutor)
install(FILES ${XECUTOR_PACKAGING_DIR}/falcon-xecutor.service DESTINATION /lib/systemd/system
        COMPONENT falcon_xecutor)
# The env file is NOT a package file (nor a conffile): the deploy writes it
# before the package is installed, and a package-owned copy made dpkg stop at
# its conffile prompt on first boot. postinst creates it from this example
# (root:root 0600) only where none exists, so an upgrade never touches it.
install(FILES ${XECUTOR_PACKAGING_DIR}/env.example DESTINATION share/falcon-xecutor
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ COMPONENT falcon_xecutor)
# The TLS front (nginx) config and its renderer: one copy, used by the slot's
# boot script and by xdeploy's local backend.
install(FILES ${XECUTOR_PACKAGING_DIR}/nginx-front.conf.in ${XECUTOR_PACKAGING_DIR}/nginx-standalone.conf.in
        DESTINATION share/falcon-xecutor
        COMPONENT falcon_xecutor)
install(PROGRAMS ${XECUTOR_PACKAGING_DIR}/render-nginx-front.sh DESTINATION share/falcon-xecutor
        COMPONENT falcon_xecutor)
install(FILES ${XECUTOR_PACKAGING_DIR}/../README.md DESTINATION share/doc/falcon-xecutor COMPONENT falcon_xecutor)
