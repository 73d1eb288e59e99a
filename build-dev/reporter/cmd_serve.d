build-dev/reporter/cmd_serve.o: reporter/cmd_serve.c reporter/cmds.h \
 core/err.h reporter/server.h core/buf.h core/store.h core/err.h \
 core/results.h core/cli.h
reporter/cmds.h:
core/err.h:
reporter/server.h:
core/buf.h:
core/store.h:
core/err.h:
core/results.h:
core/cli.h:
