# CudaBackend.cmake — compiles src/cuda/ when nvcc is found (DIFFHMM_CUDA=AUTO, the default), or
# insists on it (ON), or skips it (OFF). CUDA code links the CUDA runtime statically, so the library
# has no dependency on libcudart or libcuda: it loads on machines with no GPU or driver, where the
# first runtime call reports "insufficient driver" and the CUDA backend says it is unavailable.
# Targets: sm_80 and sm_90 machine code, plus sm_90 PTX for newer GPUs.
set(DIFFHMM_CUDA "AUTO" CACHE STRING "Build the CUDA backend: AUTO, ON or OFF")
set(DIFFHMM_WITH_CUDA OFF)
if(NOT DIFFHMM_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  if(NOT CMAKE_CUDA_COMPILER)
    find_program(DIFFHMM_NVCC nvcc HINTS /usr/local/cuda/bin ENV CUDA_HOME ENV CUDA_PATH PATH_SUFFIXES bin)
    if(DIFFHMM_NVCC)
      set(CMAKE_CUDA_COMPILER ${DIFFHMM_NVCC})
    endif()
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES "80-real;90")
    endif()
    set(CMAKE_CUDA_RUNTIME_LIBRARY Static)
    enable_language(CUDA)
    set(CMAKE_CUDA_STANDARD 17)
    set(DIFFHMM_WITH_CUDA ON)
    message(STATUS "diffhmm: CUDA backend enabled (${CMAKE_CUDA_COMPILER}, archs ${CMAKE_CUDA_ARCHITECTURES})")
  elseif(DIFFHMM_CUDA STREQUAL "ON")
    message(FATAL_ERROR "DIFFHMM_CUDA=ON but no CUDA compiler was found")
  else()
    message(STATUS "diffhmm: nvcc not found, building the CPU backend only")
  endif()
endif()

function(diffhmm_cuda_sources out_var src_dir)
  if(DIFFHMM_WITH_CUDA)
    set(${out_var}
      ${src_dir}/cuda/device.cu ${src_dir}/cuda/state.cu ${src_dir}/cuda/forward.cu ${src_dir}/cuda/sweeps.cu ${src_dir}/cuda/backward.cu
      ${src_dir}/cuda/viterbi.cu ${src_dir}/cuda/kbest.cu ${src_dir}/cuda/marginals.cu ${src_dir}/cuda/sample.cu PARENT_SCOPE)
  else()
    set(${out_var} ${src_dir}/cuda/device_stub.cpp PARENT_SCOPE)
  endif()
endfunction()
