pm25 --version
pm25 version
