# CompilerOptions.cmake — C++17, release by default, hidden symbols (only DIFFHMM_API is exported),
# and the floating-point switches the kernels rely on: no errno from libm, no trapping math (so
# selects and clamps vectorise). Never -ffast-math: -inf and NaN checks must keep their meaning.
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
set(CMAKE_CXX_VISIBILITY_PRESET hidden)
set(CMAKE_VISIBILITY_INLINES_HIDDEN ON)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

# DIFFHMM_SANITIZE: a comma-free list of sanitizers for every target, e.g. "address;undefined"
# (scripts/sanitize.sh builds the native tests in Debug with AddressSanitizer and UBSan; CI runs it).
set(DIFFHMM_SANITIZE "" CACHE STRING "Sanitizers to build with (e.g. address;undefined)")
if(DIFFHMM_SANITIZE)
  list(JOIN DIFFHMM_SANITIZE "," sanitizers)
  add_compile_options($<$<COMPILE_LANGUAGE:C,CXX>:-fsanitize=${sanitizers}> $<$<COMPILE_LANGUAGE:C,CXX>:-fno-omit-frame-pointer>
                      $<$<COMPILE_LANGUAGE:C,CXX>:-fno-sanitize-recover=all>)
  add_link_options(-fsanitize=${sanitizers})
endif()

function(diffhmm_compile_options target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unused-parameter -fno-math-errno -fno-trapping-math>
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CONFIG:Release>>:-O3>)
endfunction()
