build-dev/core/retry.o: core/retry.c core/retry.h
core/retry.h:
