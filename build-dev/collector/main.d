build-dev/collector/main.o: collector/main.c core/version.h \
 collector/cmds.h core/err.h
core/version.h:
collector/cmds.h:
core/err.h:
