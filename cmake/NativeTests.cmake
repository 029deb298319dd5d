# NativeTests.cmake — the native test executable (tests/*.cpp, no third-party framework) and its
# CTest registration: one CTest test per test case, so `ctest` lists each by name.
function(diffhmm_add_native_tests library)
  file(GLOB test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tests/*.cpp)
  # header_c.c: the public header compiled as C11 with every warning an error.
  set(header_c ${CMAKE_CURRENT_SOURCE_DIR}/tests/header_c.c)
  set_source_files_properties(${header_c} PROPERTIES COMPILE_OPTIONS "-std=c11;-Wall;-Wextra;-Wpedantic;-Werror")
  add_executable(diffhmm_tests ${test_sources} ${header_c})
  target_link_libraries(diffhmm_tests PRIVATE ${library})
  # src/: the tests that check internal arithmetic shared with the CUDA kernels (chunk_test.cpp).
  target_include_directories(diffhmm_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/include ${CMAKE_CURRENT_SOURCE_DIR}/tests
                                                   ${CMAKE_CURRENT_SOURCE_DIR}/src)
  diffhmm_compile_options(diffhmm_tests)
  # The CUDA tests allocate device memory themselves (to pass device pointers through the C ABI).
  if(DIFFHMM_WITH_CUDA)
    find_package(CUDAToolkit REQUIRED)
    target_link_libraries(diffhmm_tests PRIVATE CUDA::cudart_static)
    target_compile_definitions(diffhmm_tests PRIVATE DIFFHMM_TESTS_WITH_CUDA=1)
  endif()
  # Test names are the TEST(...) names in the sources.
  set(names "")
  foreach(src ${test_sources})
    file(STRINGS ${src} lines REGEX "^TEST\\(([A-Za-z0-9_]+)\\)")
    foreach(line ${lines})
      string(REGEX REPLACE "^TEST\\(([A-Za-z0-9_]+)\\).*" "\\1" name "${line}")
      add_test(NAME ${name} COMMAND diffhmm_tests ${name})
      set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
    endforeach()
  endforeach()
  # The layers of native/src (capi → dispatch → backends → core): no include runs upward.
  add_test(NAME layers_include_only_downward
           COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_CURRENT_SOURCE_DIR}/src -P ${CMAKE_CURRENT_LIST_DIR}/../cmake/LayerCheck.cmake)
endfunction()
