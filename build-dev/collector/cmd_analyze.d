build-dev/collector/cmd_analyze.o: collector/cmd_analyze.c \
 collector/cmds.h core/err.h collector/publish.h core/cli.h core/err.h \
 core/results.h core/buf.h core/gtest.h core/results.h core/meta.h
collector/cmds.h:
core/err.h:
collector/publish.h:
core/cli.h:
core/err.h:
core/results.h:
core/buf.h:
core/gtest.h:
core/results.h:
core/meta.h:
