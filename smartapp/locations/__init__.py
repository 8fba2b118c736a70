"""The province's wards and communes, from the ``vietnam-provinces`` package."""
