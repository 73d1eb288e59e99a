build-dev/reporter/main.o: reporter/main.c core/version.h reporter/cmds.h \
 core/err.h
core/version.h:
reporter/cmds.h:
core/err.h:
