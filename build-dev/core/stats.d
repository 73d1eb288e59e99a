build-dev/core/stats.o: core/stats.c core/stats.h
core/stats.h:
