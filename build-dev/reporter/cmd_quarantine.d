build-dev/reporter/cmd_quarantine.o: reporter/cmd_quarantine.c \
 core/ident.h core/buf.h reporter/cmds.h core/err.h core/cli.h core/err.h \
 core/store_quarantine.h core/store.h core/results.h
core/ident.h:
core/buf.h:
reporter/cmds.h:
core/err.h:
core/cli.h:
core/err.h:
core/store_quarantine.h:
core/store.h:
core/results.h:
