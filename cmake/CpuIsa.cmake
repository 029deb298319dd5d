# CpuIsa.cmake — the step kernels are compiled three times, once per instruction set, and picked at
# run time (src/cpu/step_kernels.cpp), so the shipped library runs on any x86-64 CPU and still uses
# AVX2 or AVX-512 where present. Other architectures build the generic copy only.
set(DIFFHMM_HAVE_X86_ISAS OFF)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  set(DIFFHMM_HAVE_X86_ISAS ON)
endif()

function(diffhmm_cpu_isa_sources out_var src_dir)
  set(sources ${src_dir}/cpu/step_kernels.cpp ${src_dir}/cpu/step_kernels_generic.cpp)
  if(DIFFHMM_HAVE_X86_ISAS)
    list(APPEND sources ${src_dir}/cpu/step_kernels_avx2.cpp ${src_dir}/cpu/step_kernels_avx512.cpp)
    set_source_files_properties(${src_dir}/cpu/step_kernels_avx2.cpp PROPERTIES
      COMPILE_OPTIONS "-mavx2;-mfma")
    set_source_files_properties(${src_dir}/cpu/step_kernels_avx512.cpp PROPERTIES
      COMPILE_OPTIONS "-mavx512f;-mavx512dq;-mavx512vl;-mavx512bw;-mavx2;-mfma;-mprefer-vector-width=512;-Wno-maybe-uninitialized")
    set_source_files_properties(${src_dir}/cpu/step_kernels.cpp PROPERTIES
      COMPILE_DEFINITIONS "DIFFHMM_HAVE_X86_ISAS=1")
  endif()
  set(${out_var} ${sources} PARENT_SCOPE)
endfunction()
