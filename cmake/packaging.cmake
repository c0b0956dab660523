# A Debian package of the installed files (`cpack -G DEB` in the build folder; docs/operations.md).
# Its dependencies are the Debian runtime libraries the binary links, found by dpkg-shlibdeps.
set(CPACK_PACKAGE_NAME regsweep)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "regsweep developers <regsweep@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "offline garbage collector and integrity auditor for container registries")
set(CPACK_PACKAGE_DESCRIPTION
    "regsweep collects the blobs, manifests and links of a CNCF distribution registry that no tag
reaches, safely (multi-arch images, signatures and SBOMs of kept images stay), audits every link,
manifest and blob digest, and reports per repository and tag which bytes are shared and which
deleting would free.")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "docker-registry")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus-node-exporter")
set(CPACK_STRIP_FILES ON)
include(CPack)
