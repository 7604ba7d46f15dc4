# libFuzzer targets (fuzz/README.md), built with -DFUZZ=ON and CC=clang.
# Each: name and the libraries it links.
set(SR_FUZZ_TARGETS
    "fuzz_storyboard:sr_compiler"
    "fuzz_storyboard_tts:sr_compiler"
    "fuzz_timeline:sr_render"
    "fuzz_ssml:sr_compiler"
    "fuzz_template:sr_compiler"
    "fuzz_v1:sr_compiler"
    "fuzz_color:sr_common"
    "fuzz_media_open:sr_render"
    "fuzz_http:sr_service")
foreach(t ${SR_FUZZ_TARGETS})
  string(REPLACE ":" ";" parts "${t}")
  list(GET parts 0 name)
  list(GET parts 1 lib)
  add_executable(${name} ${CMAKE_SOURCE_DIR}/fuzz/${name}.c)
  target_link_libraries(${name} PRIVATE ${lib})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
endforeach()
