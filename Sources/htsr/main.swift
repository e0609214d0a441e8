internal import CStartup

// OpenBLAS starts single-threaded: see Sources/CStartup/startup.c.
_ = htsr_startup_linked()
HTSR.main()
