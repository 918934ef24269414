# `cpack -G DEB` -> falcon-xecutor_<version>_<arch>.deb: the binary, the systemd
# unit and the 0600 env file the Terraform slot module installs. Only the
# `falcon_xecutor` install component goes in, whatever else the project installs.
set(XECUTOR_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})

install(TARGETS falcon_xecutor RUNTIME DESTINATION bin COMPONENT falcon_xecutor)
install(FILES ${XECUTOR_PACKAGING_DIR}/falcon-xecutor.service DESTINATION /lib/systemd/system
        COMPONENT falcon_xecutor)
install(FILES ${XECUTOR_PACKAGING_DIR}/env.example DESTINATION /etc/falcon-xecutor RENAME env
        PERMISSIONS OWNER_READ OWNER_WRITE COMPONENT falcon_xecutor)
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
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${XECUTOR_PACKAGING_DIR}/postinst;${XECUTOR_PACKAGING_DIR}/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
