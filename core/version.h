/*
 * version.h: the one version string of flake-action's programs (and of
 * the User-Agent they send).
 */
#ifndef CORE_VERSION_H
#define CORE_VERSION_H

#define FLAKE_VERSION "0.1.0"

#endif
