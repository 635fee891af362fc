pm25 frobnicate
