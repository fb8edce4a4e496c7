# engine/install.mk — installing urestore (included by the root Makefile, which defines BUILD, SOVERSION and
# the build rules): the binary, liburestore.so.$(SOVERSION) with its dev symlink and liburestore.a, the one
# public header, urestore.pc and the man page urestore(1); `make uninstall` removes exactly those files;
# `make abi-check` compares the shared library's exported symbols with the functions urestore.h declares.
#
#   make install [PREFIX=/usr/local] [DESTDIR=] [LIBDIR=$(PREFIX)/lib]
#   make uninstall (same variables)

PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL    ?= install

# The version the library reports (urestore_version(), from the header's URESTORE_VERSION_STRING), so the
# .pc file never disagrees with it.
UR_PKG_VERSION := $(shell sed -n 's/^\#define URESTORE_VERSION_STRING "\(.*\)"/\1/p' include/urestore.h)

# A real install (no DESTDIR) as root refreshes the loader's cache, so programs find liburestore.so.1 at once.
UR_LDCONFIG = @if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

.PHONY: install uninstall abi-check

$(BUILD)/urestore.pc: engine/urestore.pc.in include/urestore.h
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
		-e 's|@VERSION@|$(UR_PKG_VERSION)|g' $< >$@

# The .pc file records PREFIX, so it is rebuilt for every install rather than trusted from an earlier one.
install: $(BUILD)/urestore $(BUILD)/liburestore.a $(BUILD)/liburestore.so.$(SOVERSION)
	@rm -f $(BUILD)/urestore.pc
	$(MAKE) --no-print-directory $(BUILD)/urestore.pc
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 0755 $(BUILD)/urestore $(DESTDIR)$(BINDIR)/urestore
	$(INSTALL) -m 0644 $(BUILD)/liburestore.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/liburestore.so.$(SOVERSION)
	ln -sf liburestore.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/liburestore.so
	$(INSTALL) -m 0644 $(BUILD)/liburestore.a $(DESTDIR)$(LIBDIR)/liburestore.a
	$(INSTALL) -m 0644 include/urestore.h $(DESTDIR)$(INCLUDEDIR)/urestore.h
	$(INSTALL) -m 0644 $(BUILD)/urestore.pc $(DESTDIR)$(PKGCONFIGDIR)/urestore.pc
	$(INSTALL) -m 0644 doc/urestore.1 $(DESTDIR)$(MANDIR)/man1/urestore.1
	$(UR_LDCONFIG)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/urestore $(DESTDIR)$(LIBDIR)/liburestore.so.$(SOVERSION) \
		$(DESTDIR)$(LIBDIR)/liburestore.so $(DESTDIR)$(LIBDIR)/liburestore.a \
		$(DESTDIR)$(INCLUDEDIR)/urestore.h $(DESTDIR)$(PKGCONFIGDIR)/urestore.pc \
		$(DESTDIR)$(MANDIR)/man1/urestore.1
	$(UR_LDCONFIG)

abi-check: $(BUILD)/liburestore.so.$(SOVERSION)
	@bash tests/abi/check_abi.sh $(BUILD)/liburestore.so.$(SOVERSION) include/urestore.h
