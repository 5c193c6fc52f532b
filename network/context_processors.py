def network_contact(request):
    return {"network_contact": None}
