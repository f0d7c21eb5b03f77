// Funnel — the unit test runner (doctest's main); the tests live beside it, one file per area.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
