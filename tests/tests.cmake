# Every tests/test_<name>.c (and tests/compat/test_<name>.c: Pictory client flows) is one cmocka
# executable and one ctest test.
# A test links the libraries named in its first line comment:  /* libs: sr_render sr_common */
file(GLOB SR_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/test_*.c ${CMAKE_SOURCE_DIR}/tests/compat/test_*.c)
file(GLOB SR_TEST_SUPPORT CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/support/*.c)
add_library(sr_testsupport STATIC ${SR_TEST_SUPPORT} ${CMAKE_SOURCE_DIR}/tests/support/empty.c)
target_include_directories(sr_testsupport PUBLIC ${CMAKE_SOURCE_DIR}/tests/support)
target_link_libraries(sr_testsupport PUBLIC sr_frame sr_common PkgConfig::AV PkgConfig::MHD PkgConfig::PQ m)
# s3_fixture.c finds node_modules/s3rver here when run outside ctest (which sets SR_SOURCE_DIR)
target_compile_definitions(sr_testsupport PRIVATE SR_TEST_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
foreach(src ${SR_TESTS})
  get_filename_component(name ${src} NAME_WE)
  file(STRINGS ${src} first LIMIT_COUNT 1)
  string(REGEX MATCH "libs:([^*]*)" _m "${first}")
  separate_arguments(libs UNIX_COMMAND "${CMAKE_MATCH_1}")
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE ${libs} sr_testsupport PkgConfig::CMOCKA)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "SR_SOURCE_DIR=${CMAKE_SOURCE_DIR};SR_BINARY=$<TARGET_FILE:storyreel>;SR_BUILD_DIR=${CMAKE_BINARY_DIR};LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/lsan.supp"
    TIMEOUT 300)
endforeach()

# Node tests (tests/console/*.test.mjs, node's test runner): the console in a real browser
# (puppeteer-core from npm driving Debian's chromium) and the OpenAPI document's examples against a
# real server (ajv, @redocly/cli); all installed by scripts/install-deps.
find_program(SR_NODE node REQUIRED)
foreach(t console openapi)
  add_test(NAME test_${t}_node COMMAND ${SR_NODE} --test --test-reporter=spec
           ${CMAKE_SOURCE_DIR}/tests/console/${t}.test.mjs)
  set_tests_properties(test_${t}_node PROPERTIES
    ENVIRONMENT "SR_SOURCE_DIR=${CMAKE_SOURCE_DIR};SR_BINARY=$<TARGET_FILE:storyreel>;SR_BUILD_DIR=${CMAKE_BINARY_DIR}"
    TIMEOUT 300)
endforeach()
