# Writes <FUNNEL_WEB_OUT>/version.js, the build stamp web/sw.js imports: a digest per staged
# file and a build id over all of them. A new id gives the service worker a new cache and makes
# the browser see a new deployment; the per-file digests let it keep unchanged files (the large
# CJK fonts) instead of downloading them again. Run after the web build has staged its files:
#   cmake -DFUNNEL_WEB_OUT=build/web -P scripts/stamp-build.cmake
# The file is rewritten only when the id changes, so an unchanged build stays the same deployment.
cmake_minimum_required(VERSION 3.16)
if(NOT FUNNEL_WEB_OUT)
  message(FATAL_ERROR "stamp-build: pass -DFUNNEL_WEB_OUT=<staged web folder>")
endif()

# Relative to where it is run from (script mode has no source folder of its own).
get_filename_component(FUNNEL_WEB_OUT "${FUNNEL_WEB_OUT}" ABSOLUTE BASE_DIR "$ENV{PWD}")
file(GLOB_RECURSE files RELATIVE "${FUNNEL_WEB_OUT}" "${FUNNEL_WEB_OUT}/*")
list(REMOVE_ITEM files "version.js")
list(FILTER files EXCLUDE REGEX "(^|/)\\.")
list(SORT files)
if(NOT "index.html" IN_LIST files OR NOT "sw.js" IN_LIST files)
  message(FATAL_ERROR "stamp-build: ${FUNNEL_WEB_OUT} holds no web build (index.html, sw.js)")
endif()

set(entries "")
set(all "")
foreach(f IN LISTS files)
  file(SHA256 "${FUNNEL_WEB_OUT}/${f}" digest)
  string(SUBSTRING "${digest}" 0 16 digest)
  string(APPEND entries "\n    \"${f}\": \"${digest}\",")
  string(APPEND all "${f}=${digest};")
endforeach()
string(SHA256 id "${all}")
string(SUBSTRING "${id}" 0 16 id)

set(text "// Build stamp for sw.js, written by scripts/stamp-build.cmake: do not edit.\nself.FUNNEL_BUILD = {\n  id: \"${id}\",\n  files: {${entries}\n  },\n};\n")
set(out "${FUNNEL_WEB_OUT}/version.js")
if(EXISTS "${out}")
  file(READ "${out}" old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE "${out}" "${text}")
message(STATUS "stamp-build: ${FUNNEL_WEB_OUT}/version.js build ${id}")
