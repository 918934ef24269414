# The xdeploy package's fields (the `xdeploy` component; its install rules are
# in install.cmake). Included from the top-level CMakeLists.txt, which includes
# CPack once for every package of the project.
set(CPACK_DEBIAN_XDEPLOY_PACKAGE_NAME xdeploy)
set(CPACK_COMPONENT_XDEPLOY_DESCRIPTION
    "blue/green deploys of one web service on AWS Lightsail, over Terraform
xdeploy runs one safe command per intention (blue, teal, ~green, promote,
rollback, cleanup) over Terraform, with a native health gate, a guard on every
saved plan, a deploy lock, downtime measurement and history. The package holds
xdeploy, xdeploy-router (the local backend's static IP), deploy.sh and the
Terraform module under /usr/share/xdeploy/terraform.
Terraform (or OpenTofu) is not a Debian package: install it separately from
HashiCorp's (or OpenTofu's) own apt repository. The local backend needs
neither Terraform nor AWS.")
set(CPACK_DEBIAN_XDEPLOY_PACKAGE_SECTION admin)
# Library dependencies come from dpkg-shlibdeps. deploy.sh needs bash (always
# installed); libcurl needs CA certificates for https health URLs. Nothing that
# Debian does not have: terraform is documented, not declared.
set(CPACK_DEBIAN_XDEPLOY_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_XDEPLOY_PACKAGE_RECOMMENDS "ca-certificates")
list(APPEND CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR}/src/cli;xdeploy;xdeploy;/")
list(APPEND CPACK_COMPONENTS_ALL xdeploy)
# The components CPack installs from that project (the 3rd field above names
# this list): without it, CPack would fold everything into one package.
set(CPACK_COMPONENTS_XDEPLOY xdeploy)
