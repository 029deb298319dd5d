# NativeTests.cmake — the native test executable (tests/*.cpp, no third-party framework) and its
# CTest registration: one CTest test per test case, so `ctest` lists each by name.
function(diffhmm_add_native_tests library)
  file(GLOB test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tests/*.cpp)
  add_executable(diffhmm_tests ${test_sources})
  target_link_libraries(diffhmm_tests PRIVATE ${library})
  target_include_directories(diffhmm_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/include ${CMAKE_CURRENT_SOURCE_DIR}/tests)
  diffhmm_compile_options(diffhmm_tests)
  # Test names are the TEST(...) names in the sources.
  set(names "")
  foreach(src ${test_sources})
    file(STRINGS ${src} lines REGEX "^TEST\\(([A-Za-z0-9_]+)\\)")
    foreach(line ${lines})
      string(REGEX REPLACE "^TEST\\(([A-Za-z0-9_]+)\\).*" "\\1" name "${line}")
      add_test(NAME ${name} COMMAND diffhmm_tests ${name})
    endforeach()
  endforeach()
endfunction()
