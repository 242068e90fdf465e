from __future__ import annotations

from rest_framework import serializers

from grassroots.org.models import Enterprise, Organisation, Person, Unit


class UnitSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]  # DRF generics are stub-only
    parent_code = serializers.SlugRelatedField[Unit](
        source="parent", slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Unit
        fields = ["code", "name", "name_en", "level", "parent_code", "path", "boundary"]


class OrganisationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    unit = serializers.SlugRelatedField[Unit](slug_field="code", read_only=True)

    class Meta:
        model = Organisation
        fields = ["code", "name", "name_en", "kind", "unit", "coordinates_unit"]


class EnterpriseSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    unit = serializers.SlugRelatedField[Unit](slug_field="code", read_only=True)

    class Meta:
        model = Enterprise
        fields = ["code", "name", "name_en", "sector", "above_designated_size", "unit"]


class PersonSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    unit = serializers.SlugRelatedField[Unit](slug_field="code", read_only=True)
    phone = serializers.SerializerMethodField(help_text="Masked (138****5678); see /people/{code}/reveal-phone/.")

    class Meta:
        model = Person
        fields = ["code", "name", "name_en", "rank", "phone", "unit"]

    def get_phone(self, person: Person) -> str:
        return person.masked_phone
