build-dev/core/cli.o: core/cli.c core/cli.h core/err.h
core/cli.h:
core/err.h:
