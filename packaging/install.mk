# Included by the Makefile: the web client as served (build/web), the
# manual page, and installing all of it with the systemd unit.
#   make install [PREFIX=/usr/local] [DESTDIR=]   (SYSTEMD_UNIT_DIR to move the unit)
#   make uninstall, with the same PREFIX and DESTDIR
#   make install-check: installs into this machine's /usr/local (sudo when
#   not root) and verifies the unit with systemd-analyze; `make test` runs it

PREFIX ?= /usr/local
DESTDIR ?=
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
SHARE_DIR := $(PREFIX)/share/casereel

WEB_OUT  := build/web
WEB_SRCS := $(wildcard web/index.html web/app/* web/vendor/*)

.PHONY: web-build install uninstall install-check

web-build: $(WEB_OUT)/index.html

$(WEB_OUT)/index.html: $(WEB_SRCS) packaging/web_build.sh
	@packaging/web_build.sh web $(WEB_OUT)

# From the settings table the binary carries, so the page lists every flag.
build/casereel.1: $(BINDIR)/casereel
	@mkdir -p $(dir $@)
	$< man >$@.tmp && mv $@.tmp $@

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SHARE_DIR)/seeds \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	install -m 755 $(BINDIR)/casereel $(DESTDIR)$(PREFIX)/bin/casereel
	rm -rf $(DESTDIR)$(SHARE_DIR)/web
	cp -R $(WEB_OUT) $(DESTDIR)$(SHARE_DIR)/web
	chmod -R u=rwX,go=rX $(DESTDIR)$(SHARE_DIR)/web
	install -m 644 seeds/demo.json $(DESTDIR)$(SHARE_DIR)/seeds/demo.json
	install -m 644 build/casereel.1 $(DESTDIR)$(PREFIX)/share/man/man1/casereel.1
	sed 's#@BINDIR@#$(PREFIX)/bin#g' packaging/casereel.service.in \
	  >$(DESTDIR)$(SYSTEMD_UNIT_DIR)/casereel.service
	chmod 644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/casereel.service

uninstall:
	rm -rf $(DESTDIR)$(SHARE_DIR)
	rm -f $(DESTDIR)$(PREFIX)/bin/casereel $(DESTDIR)$(PREFIX)/share/man/man1/casereel.1 \
	  $(DESTDIR)$(SYSTEMD_UNIT_DIR)/casereel.service

install-check: all
	@$(SUDO) $(MAKE) --no-print-directory install PREFIX=/usr/local DESTDIR= \
	  SYSTEMD_UNIT_DIR=/usr/local/lib/systemd/system SANITIZE=$(SANITIZE) >/dev/null
	@packaging/install_check.sh /usr/local /usr/local/lib/systemd/system
