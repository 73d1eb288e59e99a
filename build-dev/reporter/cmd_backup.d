build-dev/reporter/cmd_backup.o: reporter/cmd_backup.c reporter/cmds.h \
 core/err.h core/cli.h core/err.h core/store_maint.h core/store.h \
 core/results.h
reporter/cmds.h:
core/err.h:
core/cli.h:
core/err.h:
core/store_maint.h:
core/store.h:
core/results.h:
