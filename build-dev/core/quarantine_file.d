build-dev/core/quarantine_file.o: core/quarantine_file.c \
 core/quarantine_file.h core/err.h core/store_quarantine.h core/store.h \
 core/results.h core/buf.h
core/quarantine_file.h:
core/err.h:
core/store_quarantine.h:
core/store.h:
core/results.h:
core/buf.h:
