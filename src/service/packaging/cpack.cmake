# The falcon-xecutor package's fields (the `falcon_xecutor` component; its
# install rules are in packaging.cmake). Included from the top-level
# CMakeLists.txt, which includes CPack once for every package of the project.
set(XECUTOR_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})
set(CPACK_DEBIAN_FALCON_XECUTOR_PACKAGE_NAME falcon-xecutor)
set(CPACK_COMPONENT_FALCON_XECUTOR_DESCRIPTION
    "TradingView webhook to FalconX quote/execute service (blue/green slot)")
set(CPACK_DEBIAN_FALCON_XECUTOR_PACKAGE_SECTION net)
set(CPACK_DEBIAN_FALCON_XECUTOR_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FALCON_XECUTOR_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_FALCON_XECUTOR_PACKAGE_CONTROL_EXTRA
    "${XECUTOR_PACKAGING_DIR}/postinst")
# Install (and pre-build) only this directory's build tree: packaging the
# service must not compile the rest of the project.
list(APPEND CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR}/src/service;falcon-xecutor;falcon_xecutor;/")
list(APPEND CPACK_COMPONENTS_ALL falcon_xecutor)
# The components CPack installs from that project (the 3rd field above names
# this list): without it, CPack would fold everything into one package.
set(CPACK_COMPONENTS_FALCON_XECUTOR falcon_xecutor)
