print("aoftop: not built yet")
