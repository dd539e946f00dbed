# The Debian package: `cpack -G DEB` in a release build folder writes keywarden_<version>-1_<arch>.deb.
#
# The binary's own install rule (src/CMakeLists.txt) puts it in <prefix>/bin, /usr/bin in the
# package. The files below live at fixed system paths, so they belong to a component that a plain
# `cmake --install` leaves out (EXCLUDE_FROM_ALL) and only the package includes:
#   /etc/keywarden/connector.toml, server.toml   commented default configurations (conffiles, 0640)
#   /lib/systemd/system/keywarden-connector.service, keywarden-server.service  the hardened units
#   /var/lib/keywarden                           the data folder (both services)
#   /usr/share/doc/keywarden/                    README.md, configuration.md, server-configuration.md, mail.md
# deploy/debian/postinst creates the `keywarden` system user and sets owners and modes
# (root:keywarden 0640 for the configuration, keywarden 0750 for the data folder).
set(KEYWARDEN_DEB_FILES ${PROJECT_SOURCE_DIR}/deploy/debian)

install(FILES ${KEYWARDEN_DEB_FILES}/connector.toml ${KEYWARDEN_DEB_FILES}/server.toml DESTINATION /etc/keywarden
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ COMPONENT package EXCLUDE_FROM_ALL)
install(FILES ${KEYWARDEN_DEB_FILES}/keywarden-connector.service ${KEYWARDEN_DEB_FILES}/keywarden-server.service
        DESTINATION /lib/systemd/system COMPONENT package EXCLUDE_FROM_ALL)
install(DIRECTORY DESTINATION /var/lib/keywarden COMPONENT package EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/configuration.md
              ${PROJECT_SOURCE_DIR}/docs/server-configuration.md ${PROJECT_SOURCE_DIR}/docs/mail.md
        DESTINATION share/doc/keywarden COMPONENT package EXCLUDE_FROM_ALL)

set(CPACK_PACKAGE_NAME keywarden)
set(CPACK_PACKAGE_VENDOR "Keywarden")
set(CPACK_PACKAGE_CONTACT "Keywarden maintainers <maintainers@keywarden.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Bitwarden-compatible server, Key Connector and key-management tool")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "Keywarden's server is a self-hosted server for the official Bitwarden clients (accounts, tokens,\n"
       "two-step login, the vault and sync), on SQLite or PostgreSQL. Its Key Connector is a drop-in\n"
       "replacement for Bitwarden's: it keeps each SSO user's key, sealed under a data key wrapped by an\n"
       "RSA key. The keywarden-server and keywarden-connector services run as the keywarden user with\n"
       "hardened systemd units.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# One package holding the binary (no component) and the system files.
set(CPACK_COMPONENTS_ALL Unspecified package)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)

set(CPACK_DEBIAN_PACKAGE_NAME keywarden)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies come from dpkg-shlibdeps (among them liboath0 for two-step codes and libcurl4
# for mail, which the server links); adduser is for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${KEYWARDEN_DEB_FILES}/conffiles;${KEYWARDEN_DEB_FILES}/postinst;${KEYWARDEN_DEB_FILES}/prerm;${KEYWARDEN_DEB_FILES}/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)

include(CPack)
