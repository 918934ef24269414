# `cpack -G DEB` -> falcon-xecutor_<version>_<arch>.deb: the binary, the systemd
# unit, an example env file and the nginx front config the Terraform slot module installs. Only the
# `falcon_xecutor` install component goes in, whatever else the project installs.
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

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME falcon-xecutor)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "falcon-xecutor maintainers <ops@falcon-xecutor.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "TradingView webhook to FalconX quote/execute service (blue/green slot)")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL falcon_xecutor)
# Install (and pre-build) only this directory's build tree: packaging the
# service must not compile the rest of the project.
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_CURRENT_BINARY_DIR};falcon-xecutor;falcon_xecutor;/")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_DEBIAN_PACKAGE_NAME falcon-xecutor)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${XECUTOR_PACKAGING_DIR}/postinst")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
