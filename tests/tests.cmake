# Unit tests (one executable per tests/test_*.c) and command-line tests (tests/cli/*.sh).
# Test data lives in tests/data; ../shared/data is used only when present, for extra checks.
set(YQ_TEST_DATA ${CMAKE_SOURCE_DIR}/tests/data)
file(GLOB YQ_TEST_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/test_*.c)
foreach(src ${YQ_TEST_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src} ${CMAKE_SOURCE_DIR}/tests/testutil.c)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  target_compile_options(${name} PRIVATE ${YQ_WARNINGS})
  target_compile_definitions(${name} PRIVATE YQ_TEST_DATA="${YQ_TEST_DATA}"
                             YQ_FIXTURE_SITE="$<TARGET_FILE:fixture_site>")
  add_dependencies(${name} fixture_site)
  target_link_libraries(${name} PRIVATE yuqing_core PkgConfig::CURL)
  add_test(NAME ${name} COMMAND ${name})
endforeach()

file(GLOB YQ_CLI_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/cli/*.sh)
foreach(script ${YQ_CLI_TESTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME cli_${name} COMMAND bash ${script} $<TARGET_FILE:yuqing> ${YQ_TEST_DATA})
  set_tests_properties(cli_${name} PROPERTIES SKIP_RETURN_CODE 77) # a tool the test needs is missing
endforeach()

# The loopback news site (tests/fixture_site/README.md), next to the yuqing binary.
file(GLOB YQ_FIXTURE_SITE_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fixture_site/*.c)
add_executable(fixture_site ${YQ_FIXTURE_SITE_SOURCES})
target_compile_options(fixture_site PRIVATE ${YQ_WARNINGS})
target_link_libraries(fixture_site PRIVATE yuqing_core PkgConfig::MHD PkgConfig::ZLIB)

# In the ASan+UBSan build, each fuzz target of tests/fuzz also runs for a bounded time under a
# plain mutation driver (tests/fuzz/mutate_main.c; libFuzzer itself needs clang: `make fuzz`).
if(YQ_SANITIZE)
  set(YQ_FUZZ_SECONDS 20)
  file(GLOB YQ_FUZZ_GGUF_SEEDS CONFIGURE_DEPENDS ${YQ_TEST_DATA}/gguf/*.gguf ${YQ_TEST_DATA}/quant/*.gguf
       ${CMAKE_SOURCE_DIR}/tests/fuzz/regressions/*.gguf)
  set(YQ_FUZZ_SAFETENSORS_SEEDS ${YQ_TEST_DATA}/hf/qwen2/model.safetensors
      ${YQ_TEST_DATA}/hf/llama/model-00003-of-00003.safetensors)
  foreach(target gguf safetensors)
    string(TOUPPER ${target} upper)
    add_executable(fuzz_${target}_mutate ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_${target}.c
                   ${CMAKE_SOURCE_DIR}/tests/fuzz/mutate_main.c)
    target_include_directories(fuzz_${target}_mutate PRIVATE ${CMAKE_SOURCE_DIR}/src)
    target_compile_options(fuzz_${target}_mutate PRIVATE ${YQ_WARNINGS})
    target_link_libraries(fuzz_${target}_mutate PRIVATE yuqing_core)
    add_test(NAME fuzz_${target}_mutate COMMAND fuzz_${target}_mutate ${YQ_FUZZ_SECONDS}
             ${CMAKE_BINARY_DIR}/fuzz-${target}-last-input ${YQ_FUZZ_${upper}_SEEDS})
    # A core kept busy for the whole budget: alone, so that the timing checks of the crawl and
    # server tests do not run beside it.
    set_tests_properties(fuzz_${target}_mutate PROPERTIES RUN_SERIAL TRUE)
  endforeach()
endif()
